"""lbaas.octavia.amphora_image keeps the newest built images in its cache and removes the older ones."""
import os
import time

import pytest

from conftest import TOP, recap, run_playbook

PLAYBOOK = os.path.join(TOP, "tests", "functional", "amphora_cache", "prune.yml")
PREFIX = "amphora-haproxy-debian-bookworm-"


def fake_cache(root, names):
    """Stand-ins for built images, oldest first (qcow2, manifests dir, inputs, log)."""
    images, logs = root / "images", root / "logs"
    images.mkdir(parents=True)
    logs.mkdir()
    now = time.time()
    for age, name in enumerate(reversed(names)):
        for path in (images / (name + ".qcow2"), images / (name + ".inputs.json"), logs / (name + ".log")):
            path.write_text(name)
        (images / (name + ".d")).mkdir()
        (images / (name + ".d") / "dib-manifests").write_text(name)
        for path in (images / (name + ".inputs.json"),):
            os.utime(path, (now - 100 * (age + 1), now - 100 * (age + 1)))
    return images, logs


def left(images):
    return sorted(p for p in os.listdir(images))


@pytest.mark.parametrize("keep,current,expect", [
    (2, "b", ["b", "d"]),       # the current one stays even when older, plus the newest other
    (1, "d", ["d"]),
    (3, "a", ["a", "c", "d"]),
])
def test_keeps_the_newest_and_the_current(tmp_path, keep, current, expect):
    names = [PREFIX + n for n in "abcd"]  # a oldest ... d newest
    images, logs = fake_cache(tmp_path, names)
    (images / "amphora-haproxy-ubuntu-noble-x.inputs.json").write_text("other OS: not ours to prune")
    rc, out = run_playbook(PLAYBOOK, {"cache_dir": str(tmp_path), "current": PREFIX + current,
                                      "amphora_image_cache_keep": keep})
    assert rc == 0, out
    kept = sorted(PREFIX + n for n in expect)
    assert left(images) == sorted(["amphora-haproxy-ubuntu-noble-x.inputs.json"]
                                  + [k + s for k in kept for s in (".d", ".inputs.json", ".qcow2")])
    assert left(logs) == [k + ".log" for k in kept]
    # a second run has nothing left to remove
    rc, out = run_playbook(PLAYBOOK, {"cache_dir": str(tmp_path), "current": PREFIX + current,
                                      "amphora_image_cache_keep": keep})
    assert rc == 0 and recap(out)["changed"] == 0, out
