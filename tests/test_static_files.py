"""The static files' names: hashed where collectstatic made them, as found where it never ran."""

import json

from entraide.static_files import HashedWhereCollected


def test_without_collectstatic_a_file_keeps_its_own_name(tmp_path):
    storage = HashedWhereCollected(location=tmp_path, base_url="/static/")

    assert storage.url("css/site.css") == "/static/css/site.css"


def test_once_collected_a_file_is_named_by_its_content(tmp_path):
    manifest = {"paths": {"css/site.css": "css/site.69acfd379991.css"}, "version": "1.1", "hash": "x"}
    (tmp_path / "staticfiles.json").write_text(json.dumps(manifest))
    storage = HashedWhereCollected(location=tmp_path, base_url="/static/")

    assert storage.url("css/site.css") == "/static/css/site.69acfd379991.css"
