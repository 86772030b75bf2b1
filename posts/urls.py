"""Routes of the posts app under /api/v1/."""

from core.routers import OptionalSlashRouter
from posts.views import CommentViewSet, PostViewSet, TagViewSet

router = OptionalSlashRouter()
router.register("posts", PostViewSet, basename="post")
router.register(
    r"posts/(?P<post_pk>\d+)/comments", CommentViewSet, basename="post-comment"
)
router.register("tags", TagViewSet, basename="tag")

urlpatterns = router.urls
