import datetime as dt

from django.conf import settings
from django.http import Http404
from django.views.generic import DetailView, ListView

from blog.models import Post


class PostListView(ListView):
    """The home page: the latest public posts, newest first."""

    template_name = "blog/post_list.html"
    context_object_name = "posts"

    def get_paginate_by(self, queryset):
        return settings.BLOG_POSTS_PER_PAGE

    def get_queryset(self):
        return Post.objects.public().for_listing()


class PostDetailView(DetailView):
    """A post at its canonical address /yyyy/mm/dd/slug/."""

    template_name = "blog/post_detail.html"
    context_object_name = "post"

    def get_object(self, queryset=None):
        try:
            day = dt.date(self.kwargs["year"], self.kwargs["month"], self.kwargs["day"])
        except ValueError:
            raise Http404("No such date.") from None
        try:
            return (
                Post.objects.public().for_listing().get(published_on=day, slug=self.kwargs["slug"])
            )
        except Post.DoesNotExist:
            raise Http404("No post at this address.") from None
