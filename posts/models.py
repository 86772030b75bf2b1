"""Content models: posts, comments, tags and likes."""
