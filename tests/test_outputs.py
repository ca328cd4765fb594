"""Files written all at once or not at all, and never over what is not descend's."""

import json
import os
import stat

import pytest

from descend.outputs import MANIFEST, atomic, check, clash, record, written


def _folder_names(folder):
    return sorted(os.listdir(folder))


def test_atomic_replaces_the_whole_file(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("old\n")
    with atomic(path) as f:
        f.write("new\n")
        assert path.read_text() == "old\n"              # nothing changes before the end
    assert path.read_text() == "new\n"
    assert _folder_names(tmp_path) == ["a.csv"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("complete\n")
    with pytest.raises(ZeroDivisionError):
        with atomic(path) as f:
            f.write("half")
            1 / 0
    assert path.read_text() == "complete\n"
    assert _folder_names(tmp_path) == ["a.csv"]


def test_a_full_disk_leaves_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "p.csv"
    path.write_bytes(b"1\n2\n")

    def no_space(fd):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(OSError, match="No space"):
        with atomic(path, "wb") as f:
            f.write(b"3\n4\n5")
    assert path.read_bytes() == b"1\n2\n"
    assert _folder_names(tmp_path) == ["p.csv"]


def test_atomic_keeps_the_permissions_of_the_file_it_replaces(tmp_path):
    path = tmp_path / "private.json"
    path.write_text("{}")
    path.chmod(0o600)
    with atomic(path) as f:
        f.write("[]")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and path.read_text() == "[]"


def test_a_dead_writers_temporary_file_is_swept_a_live_ones_kept(tmp_path):
    from descend.outputs import _owner

    host = _owner().rsplit("-", 1)[0]
    dead = tmp_path / f".p.csv.descend-{host}-999999999-0123abcd.tmp"     # no such process
    live = tmp_path / f".p.csv.descend-{_owner()}-0123abcd.tmp"
    elsewhere = tmp_path / ".p.csv.descend-otherhost-999999999-0123abcd.tmp"
    mine = tmp_path / ".p.csv.descend-1-zzzz.tmp"                      # not descend's pattern
    for f in (dead, live, elsewhere, mine):
        f.write_text("partial")
    with atomic(tmp_path / "p.csv") as f:
        f.write("x\n")
    assert not dead.exists() and live.exists() and elsewhere.exists() and mine.exists()


def test_a_link_is_followed_and_a_device_written_as_it_is(tmp_path):
    real = tmp_path / "real.csv"
    real.write_text("old\n")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    with written(link) as f:
        f.write("new\n")
    assert link.is_symlink() and real.read_text() == "new\n"
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    import threading
    got = []
    reader = threading.Thread(target=lambda: got.append(open(fifo).read()))
    reader.start()
    with written(fifo) as f:
        f.write("through the pipe\n")
    reader.join(timeout=10)
    assert got == ["through the pipe\n"] and stat.S_ISFIFO(fifo.stat().st_mode)
    assert not (tmp_path / MANIFEST).exists() or "pipe" not in (tmp_path / MANIFEST).read_text()


def test_a_read_only_folder_is_named(tmp_path, monkeypatch):
    # As a folder without write permission answers (root would not be refused, so the
    # refusal is simulated where the temporary file is created).
    import builtins

    real_open = builtins.open

    def refusing_open(file, mode="r", *args, **kwargs):
        if str(file).endswith(".tmp") and "x" in mode:
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, mode, *args, **kwargs)
    (tmp_path / "p.csv").write_text("old\n")
    monkeypatch.setattr(builtins, "open", refusing_open)
    with pytest.raises(PermissionError, match="cannot write .*p.csv: .*the folder .* is not writable"):
        with atomic(tmp_path / "p.csv") as f:
            f.write("new\n")
    monkeypatch.undo()
    assert (tmp_path / "p.csv").read_text() == "old\n"


def test_written_records_the_file_as_descends(tmp_path):
    path = tmp_path / "preds.csv"
    with written(path) as f:
        f.write("y\n1\n")
    assert check(path) == path                          # descend's own: may be rewritten
    entries = json.loads((tmp_path / MANIFEST).read_text())
    assert entries["preds.csv"] == [[path.stat().st_size, path.stat().st_mtime_ns]]
    path.write_text("edited by hand\n")                   # the user's now
    with pytest.raises(FileExistsError, match="--force"):
        check(path)


def test_the_manifest_knows_both_files_while_one_replaces_the_other(tmp_path, monkeypatch):
    from descend import outputs

    path = tmp_path / "preds.csv"
    with written(path) as f:
        f.write("y\n1\n")
    old = [path.stat().st_size, path.stat().st_mtime_ns]
    calls = []
    original = outputs._set_stamps

    def spy(p, stamps):
        calls.append((p.exists() and [p.stat().st_size, p.stat().st_mtime_ns], stamps))
        original(p, stamps)
    monkeypatch.setattr(outputs, "_set_stamps", spy)
    with written(path) as f:
        f.write("y\n2\n3\n")
    new = [path.stat().st_size, path.stat().st_mtime_ns]
    # Before the rename (the old file in place) both stamps count, so a kill at any
    # moment finds a file the manifest knows; after it, only the new one.
    assert calls == [(old, [old, new]), (new, [new])]


def test_manifests_of_earlier_versions_still_count(tmp_path):
    path = tmp_path / "m.json"
    path.write_text("{}")
    st = path.stat()
    (tmp_path / MANIFEST).write_text(json.dumps({"m.json": [st.st_size, st.st_mtime_ns]}))
    assert check(path) == path
    record(path)
    assert check(path) == path


def test_clash_finds_one_file_under_two_names(tmp_path):
    model = tmp_path / "m.json"
    model.write_text("{}")
    (tmp_path / "link.json").symlink_to(model)
    os.link(model, tmp_path / "hard.json")
    inputs = {"MODEL.json": model, "DATA.csv": tmp_path / "d.csv"}
    assert clash(inputs, {"--out": tmp_path / "p.csv"}) is None
    assert clash(inputs, {"--out": model}) == ("--out", "MODEL.json")
    assert clash(inputs, {"--out": tmp_path / "x" / ".." / "m.json"}) == ("--out", "MODEL.json")
    assert clash(inputs, {"--out": tmp_path / "link.json"}) == ("--out", "MODEL.json")
    assert clash(inputs, {"--out": tmp_path / "hard.json"}) == ("--out", "MODEL.json")
    assert clash({}, {"--out": tmp_path / "x.png", "--plot": tmp_path / "x.png"}) == ("--plot", "--out")
    assert clash({}, {"--out": tmp_path / "m2.json", "--plot": None}) is None
