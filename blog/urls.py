from django.urls import path, register_converter

from blog import converters, views

register_converter(converters.FourDigitYearConverter, "yyyy")
register_converter(converters.TwoDigitConverter, "nn")
register_converter(converters.UnicodeSlugConverter, "uslug")

app_name = "blog"
urlpatterns = [
    path("", views.PostListView.as_view(), name="post_list"),
    path(
        "<yyyy:year>/<nn:month>/<nn:day>/<uslug:slug>/",
        views.PostDetailView.as_view(),
        name="post_detail",
    ),
]
