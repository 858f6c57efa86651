"""The benchmark's corpus generator: deterministic, and every post it writes imports cleanly."""

import datetime as dt

import pytest

from bench.generate_corpus import generate
from blog.importing import ImportOptions, import_paths
from blog.models import Post


def test_the_corpus_is_the_same_for_the_same_seed(tmp_path):
    first = generate(tmp_path / "one", 15)
    second = generate(tmp_path / "two", 15)
    names = sorted(path.name for path in first.iterdir())
    assert len(names) == 15
    assert names == sorted(path.name for path in second.iterdir())
    assert all((first / name).read_bytes() == (second / name).read_bytes() for name in names)


@pytest.mark.django_db
def test_every_generated_post_imports_with_what_real_posts_have(tmp_path):
    folder = generate(tmp_path / "corpus", 40)
    report = import_paths([str(folder)], options=ImportOptions(tz=dt.UTC, workers=1))
    assert (report.created, report.failed, report.warnings) == (40, 0, 0)
    html = " ".join(Post.objects.values_list("body_html", flat=True))
    for feature in ['class="footnote"', "<table>", 'class="highlight"', "<blockquote>", "<h2"]:
        assert feature in html
    assert Post.objects.filter(word_count__gte=250).count() == 40
