"""landscapes.animate: a small GIF whose frames show the paths growing, step by step."""

import numpy as np
import pytest
from PIL import Image

import minigrad
from minigrad import landscapes

RED = np.array([0xE4, 0x1A, 0x1C])  # the first path's colour


def gd_path(lr, steps):
    f = landscapes.quadratic
    x = minigrad.tensor(f.start, requires_grad=True)
    points = [x.data.copy()]
    for _ in range(steps):
        x.grad = None
        f(x).backward()
        x.data = x.data - lr * x.grad
        points.append(x.data.copy())
    return np.array(points)


def frames_of(path):
    image = Image.open(path)
    frames = []
    for number in range(image.n_frames):
        image.seek(number)
        frames.append(np.asarray(image.convert("RGB")))
    return frames, image.info.get("duration")


def test_frames_show_the_paths_growing(tmp_path):
    paths = {"lr 0.4": gd_path(0.4, 40), "lr 0.1 (shorter)": gd_path(0.1, 15)}
    out = landscapes.animate(landscapes.quadratic, paths, tmp_path / "race.gif", frames=11, fps=10)
    assert out == tmp_path / "race.gif"
    assert out.stat().st_size < 2_000_000
    frames, duration = frames_of(out)
    assert len(frames) == 11 and duration == 100  # steps 0, 4, ..., 40 at 10 frames per second
    red = [int(np.all(frame == RED, axis=2).sum()) for frame in frames]
    # step 0: both paths are one dot at the start, the second (black) drawn over the red one
    assert red[0] == 0 and red[1] > 100
    assert all(b >= a for a, b in zip(red, red[1:])) and red[-1] > red[0] + 50
    assert not np.array_equal(frames[0], frames[-1])


def test_every_step_when_there_are_fewer_steps_than_frames(tmp_path):
    frames, _ = frames_of(landscapes.animate("quadratic", {"gd": gd_path(0.4, 5)}, tmp_path / "a.gif"))
    assert len(frames) == 6


def test_a_diverged_path_stops_at_its_last_finite_point(tmp_path):
    path = gd_path(0.4, 10)
    path[6:] = np.nan  # diverged after step 5
    frames, _ = frames_of(landscapes.animate(landscapes.quadratic, {"gd": path}, tmp_path / "b.gif"))
    assert len(frames) == 6  # steps 0..5: the animation ends where the path does
    longer = {"gd": path, "ok": gd_path(0.1, 10)}
    frames, _ = frames_of(landscapes.animate(landscapes.quadratic, longer, tmp_path / "c.gif"))
    assert len(frames) == 11


def test_bad_arguments_and_the_size_limit(tmp_path):
    with pytest.raises(ValueError, match="non-empty mapping"):
        landscapes.animate(landscapes.quadratic, {}, tmp_path / "c.gif")
    with pytest.raises(ValueError, match="frames must be a positive integer"):
        landscapes.animate(landscapes.quadratic, {"gd": gd_path(0.4, 3)}, tmp_path / "c.gif", frames=0)
    with pytest.raises(ValueError, match=r"must be an \(n, 2\) array"):
        landscapes.animate(landscapes.quadratic, {"gd": np.zeros(3)}, tmp_path / "c.gif")
    with pytest.raises(RuntimeError, match="more than 0.0 MB"):
        landscapes.animate(landscapes.quadratic, {"gd": gd_path(0.4, 3)}, tmp_path / "c.gif", max_bytes=10)


def test_save_gif_keeps_every_frame_and_refuses_no_frames(tmp_path):
    from PIL import Image

    from minigrad import plotting

    red, blue = Image.new("RGB", (8, 6), (255, 0, 0)), Image.new("RGB", (8, 6), (255, 0, 0))
    blue.paste((0, 0, 255), (2, 2, 5, 4))  # only a small rectangle changes
    path = plotting.save_gif([red, blue, red], tmp_path / "two.gif", fps=4,
                             exact_colors=("#0000ff",))
    with Image.open(path) as gif:
        assert gif.n_frames == 3 and gif.info["duration"] == 250
        frames = []
        for number in range(3):
            gif.seek(number)
            frames.append(np.asarray(gif.convert("RGB")))
    assert (frames[0] == [255, 0, 0]).all() and (frames[2] == [255, 0, 0]).all()
    assert (frames[1][2:4, 2:5] == [0, 0, 255]).all() and (frames[1][0] == [255, 0, 0]).all()
    with pytest.raises(ValueError, match="no frames"):
        plotting.save_gif([], tmp_path / "none.gif", fps=4)
