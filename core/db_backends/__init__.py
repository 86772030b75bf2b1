"""Database backends: django-prometheus' instrumented ones, with a circuit breaker."""
