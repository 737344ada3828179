"""Animation capture for the render harness (runs inside the container; sent only for animation and tour renders).

Records the running app at a bounded frame rate: the clip is cut into 1/fps slots, the back buffer is
read on the window's `on_flip` (like FrameCapture) and each slot gets the newest frame drawn, so a
slow machine repeats frames instead of speeding the clip up; frames are kept zlib-compressed. They are
then encoded by ffmpeg (one child process of 3-5 threads, its codec and filters on one thread;
streaming, so memory stays flat) as a GIF or an MP4, lowering the frame rate and then the scale until the clip fits `max_bytes`. Uses read_pixels from
performance_wrapper.
"""
import io
import os
import subprocess
import time
import zlib

HARNESS_STARTED = time.monotonic()
# Frames are kept zlib-compressed (UI frames shrink 10-50x); a clip that outgrows this ends early.
FRAME_BUDGET = 128 * 1024 * 1024
MIN_FPS = 4
MIN_WIDTH = 96
SCALES = (1.0, 0.75, 0.5, 0.375, 0.25)
CLIP_PATH = '/tmp/.kivy-render-clip'
PALETTE_PATH = '/tmp/.kivy-render-palette.png'
MEDIA_TYPES = {'gif': 'image/gif', 'mp4': 'video/mp4'}


class ClipTooLarge(Exception):
    pass


class EncodeTimeout(Exception):
    pass


class FrameRecorder:
    """Fills 1/fps slots with drawn frames until `seconds` have been recorded (longer while `hold` is set)."""

    def __init__(self, window, fps, seconds, max_seconds, on_recorded):
        self.window = window
        self.fps = fps
        self.max_slots = max(1, int(round(max_seconds * fps)))
        self.target_slots = min(self.max_slots, max(1, int(round(seconds * fps))))
        self.hold = False
        self.on_recorded = on_recorded
        self.frames = []  # one compressed frame per slot; a repeated frame is the same object
        self.stored = 0
        self.size = None
        self.started = self.stopped = None
        self.done = False
        self.cut_short = False

    def start(self):
        from kivy.clock import Clock
        # maxfps is unlimited for screenshots; a recording needs frames about twice per slot, not more.
        if hasattr(Clock, '_max_fps'):
            Clock._max_fps = float(min(60, max(20, 2 * self.fps)))
        self.started = time.monotonic()
        self.window.bind(on_flip=self._on_flip)
        self.window.canvas.ask_update()

    def elapsed(self):
        return time.monotonic() - self.started

    def extend(self, seconds):
        """Records at least until `seconds` after the start."""
        self.target_slots = min(self.max_slots, max(self.target_slots, int(round(seconds * self.fps))))

    def _on_flip(self, window, *args):
        if self.done:
            return
        limit = self.max_slots if self.hold else self.target_slots
        due = min(limit, int(self.elapsed() * self.fps) + 1)
        if due > len(self.frames):
            frame = self._grab()
            self.stored += len(frame)
            previous = self.frames[-1] if self.frames else frame
            self.frames.extend([previous] * (due - len(self.frames) - 1) + [frame])
            self.cut_short = self.stored > FRAME_BUDGET
        if len(self.frames) >= limit or self.cut_short:
            self.stop()
        else:
            window.canvas.ask_update()  # a static scene draws no frame unless asked

    def stop(self):
        if self.done:
            return
        from kivy.clock import Clock
        self.done = True
        self.stopped = time.monotonic()
        self.window.unbind(on_flip=self._on_flip)
        Clock.schedule_once(lambda _dt: self.on_recorded(self), 0)

    def _grab(self):
        width, height, pixels = read_pixels(self.window)
        self.size = self.size or (width, height)
        if (width, height) != self.size:  # the snippet resized the window: keep the clip's size
            from PIL import Image
            pixels = Image.frombytes('RGB', (width, height), pixels).resize(self.size).tobytes()
        return zlib.compress(pixels, 1)


def candidate_settings(fps, width):
    """(frame step, scale) pairs from the best to the smallest, with their relative size."""
    settings = []
    for step in range(1, max(1, int(fps // MIN_FPS)) + 1):
        for scale in SCALES:
            if scale == 1.0 or width * scale >= MIN_WIDTH:
                settings.append((1.0 / step * scale * scale, step, scale))
    settings.sort(key=lambda item: -item[0])
    return settings


def encode_fitting(frames, size, fps, fmt, max_bytes, deadline):
    """Encodes the best setting that fits max_bytes: (data, frame count, step, scale, output size)."""
    settings = candidate_settings(fps, size[0])
    cost, step, scale = settings[0]
    tried = []
    while True:
        data, count, out_size = (encode_gif if fmt == 'gif' else encode_mp4)(frames, size, fps, step, scale, deadline)
        tried.append((len(data), step, scale, out_size))
        if len(data) <= max_bytes:
            return data, count, step, scale, out_size
        smaller = [item for item in settings if item[0] < cost]
        wanted = cost * max_bytes / len(data) / 1.15
        fitting = [item for item in smaller if item[0] <= wanted]
        if not smaller or time.monotonic() > deadline:
            best = tried[-1]
            raise ClipTooLarge(
                'Even at %g fps and %dx%d the %s is %s, over the limit of %s: record a shorter clip, a smaller '
                'window%s.' % (round(fps / best[1], 2), best[3][0], best[3][1], fmt.upper(), file_size(best[0]),
                               file_size(max_bytes), ' or use mp4' if fmt == 'gif' else ''))
        cost, step, scale = fitting[0] if fitting else smaller[-1]


def file_size(size):
    return '%.1f MiB' % (size / 1048576.0) if size >= 1048576 else '%.1f KiB' % (size / 1024.0)


def scaled_size(size, scale, even=False):
    width, height = (max(2, int(round(v * scale))) for v in size)
    return (width - width % 2, height - height % 2) if even else (width, height)


def encode_gif(frames, size, fps, step, scale, deadline):
    """Two ffmpeg passes over the frames: one palette for the whole clip (no flicker between frames), then
    the GIF, each frame stored as its changed rectangle. ffmpeg streams, so memory stays flat."""
    from PIL import Image
    out_size = scaled_size(size, scale)
    scaling = 'vflip,scale=%d:%d:flags=bilinear' % out_size
    picked = frames[::step]
    try:
        run_ffmpeg(picked, size, fps / step, ['-vf', scaling + ',palettegen=stats_mode=full'], ['-update', '1', PALETTE_PATH], deadline)
        run_ffmpeg(picked, size, fps / step, ['-i', PALETTE_PATH, '-lavfi', '[0:v]%s[v];[v][1:v]paletteuse=dither=none:diff_mode=rectangle' % scaling],
                   ['-loop', '0', '-f', 'gif', CLIP_PATH], deadline)
        data = read_and_remove(CLIP_PATH)
    finally:
        remove(PALETTE_PATH)
    return data, Image.open(io.BytesIO(data)).n_frames, out_size


def encode_mp4(frames, size, fps, step, scale, deadline):
    out_size = scaled_size(size, scale, even=True)
    picked = frames[::step]
    run_ffmpeg(picked, size, fps / step, ['-vf', 'vflip,scale=%d:%d:flags=bilinear' % out_size],
               ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p',
                '-movflags', '+faststart', '-f', 'mp4', CLIP_PATH], deadline)
    return read_and_remove(CLIP_PATH), len(picked), out_size


def run_ffmpeg(frames, size, rate, middle, output, deadline):
    """Pipes the raw frames (bottom row first) into one ffmpeg process, codec and filters on one thread:
    the sandbox has one CPU and a small pids limit. The output goes to a file in /tmp (an MP4 needs a
    seekable one)."""
    command = (['ffmpeg', '-hide_banner', '-loglevel', 'error', '-filter_threads', '1', '-filter_complex_threads', '1',
                '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', '%dx%d' % size, '-framerate', '%g' % rate, '-i', 'pipe:0']
               + middle + ['-threads', '1', '-y'] + output)
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        try:
            for raw in frames:
                process.stdin.write(zlib.decompress(raw))
        except BrokenPipeError:
            pass  # ffmpeg stopped early: its error follows
        errors = process.communicate(timeout=max(1.0, deadline - time.monotonic()))[1]
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise EncodeTimeout('Encoding the clip took too long: record a shorter clip, a smaller window or fewer fps.')
    if process.returncode != 0:
        raise RuntimeError('ffmpeg failed (exit %s): %s' % (process.returncode, errors.decode('utf-8', 'replace')[-800:]))


def read_and_remove(path):
    try:
        with open(path, 'rb') as clip:
            return clip.read()
    finally:
        remove(path)


def remove(path):
    if os.path.exists(path):
        os.unlink(path)


def finish_recording(recorder, extra=None):
    """Encodes what `recorder` holds and finishes the render (FINISH ends the process)."""
    fmt = REQUEST.get('format') or 'gif'
    max_bytes = int(REQUEST.get('max_bytes') or 10 * 1024 * 1024)
    # Keep a margin before the worker's watchdog so a clip that cannot fit is reported as such.
    deadline = HARNESS_STARTED + float(REQUEST.get('timeout_s', 30)) - 1.0
    if not recorder.frames:
        FINISH({'ok': False, 'error': {'kind': 'runtime', 'line': None, 'traceback': None,
                                       'message': 'The app showed no frame to record.'}})
    encode_started = time.monotonic()
    try:
        data, count, step, scale, out_size = encode_fitting(recorder.frames, recorder.size, recorder.fps, fmt, max_bytes, deadline)
    except (ClipTooLarge, EncodeTimeout) as error:
        kind = 'output-limit' if isinstance(error, ClipTooLarge) else 'timeout'
        FINISH({'ok': False, 'error': {'kind': kind, 'message': str(error), 'line': None, 'traceback': None}})
    except Exception as error:
        FINISH({'ok': False, 'error': {'kind': 'runtime', 'line': None, 'traceback': None,
                                       'message': 'Encoding the %s failed: %s: %s' % (fmt.upper(), type(error).__name__, error)}})
    media = {'type': MEDIA_TYPES[fmt], 'frames': count, 'fps': round(recorder.fps / step, 2),
             'duration_ms': int(round(len(recorder.frames) * 1000.0 / recorder.fps)),
             'scale': scale, 'width': out_size[0], 'height': out_size[1]}
    if recorder.cut_short:
        media['note'] = 'The clip ends early: its frames outgrew the memory set aside for recording.'
    media.update(extra or {})
    FINISH({'ok': True, 'width': out_size[0], 'height': out_size[1], 'media': media,
            'timings': {'record_ms': round((recorder.stopped - recorder.started) * 1000, 1),
                        'encode_ms': round((time.monotonic() - encode_started) * 1000, 1)}}, data)
