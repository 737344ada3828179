"""Pre-warmed render worker.

Boots Kivy and its window under the Xvfb display the entrypoint started, announces readiness with a
frame on stdout, waits on stdin for exactly one request, runs it and writes one framed result, then
exits. A frame is a 4-byte big-endian header length, the header as JSON, then `body_length` bytes.

The request carries the harness scripts (src/templates/*.py) that know how to find and show the
user's app; this file only owns the process: framing, output capture and the wall-clock watchdog.
"""
import json
import os
import signal
import struct
import sys
import threading
import time

BOOT_STARTED = time.monotonic()
READY_FILE = '/tmp/.kivy-render-ready'
MAX_REQUEST_BYTES = 4 * 1024 * 1024

# Frames go out through a private duplicate of the original stdout; fd 1 and 2 are handed to the
# user's code (captured) once the request arrives, so a print() can never corrupt the framing.
RESULT_FD = os.dup(1)
MAIN_PID = os.getpid()
_frame_lock = threading.Lock()


def write_frame(header, body=b''):
    if os.getpid() != MAIN_PID:
        os._exit(0)  # a forked child of the snippet never speaks for the render
    header = dict(header, body_length=len(body))
    encoded = json.dumps(header).encode('utf-8')
    data = struct.pack('>I', len(encoded)) + encoded + body
    with _frame_lock:
        view = memoryview(data)
        while view:
            written = os.write(RESULT_FD, view)
            view = view[written:]


def read_exactly(stream, size):
    chunks = []
    while size:
        chunk = stream.read(size)
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b''.join(chunks)


def read_request():
    prefix = read_exactly(sys.stdin.buffer, 4)
    if prefix is None:
        return None
    (length,) = struct.unpack('>I', prefix)
    if length > MAX_REQUEST_BYTES:
        raise ValueError('request too large')
    return json.loads(read_exactly(sys.stdin.buffer, length))


class CappedCapture:
    """Drains one file descriptor through a pipe, keeping the first `limit` bytes."""

    def __init__(self, target_fd, limit):
        self.limit = limit
        self.kept = bytearray()
        self.total = 0
        read_end, write_end = os.pipe()
        os.dup2(write_end, target_fd)
        os.close(write_end)
        self._read_end = read_end
        self._thread = threading.Thread(target=self._drain, daemon=True)
        self._thread.start()

    def _drain(self):
        while True:
            try:
                chunk = os.read(self._read_end, 65536)
            except OSError:
                return
            if not chunk:
                return
            self.total += len(chunk)
            room = self.limit - len(self.kept)
            if room > 0:
                self.kept += chunk[:room]

    def collect(self, target_fd):
        """Closes the capture's write side and returns (text, truncated)."""
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, target_fd)
        os.close(devnull)
        # A child process that inherited the pipe may keep it open: don't wait for it long.
        self._thread.join(0.25)
        return self.snapshot()

    def snapshot(self):
        """(text kept so far, whether anything was cut)."""
        return self.kept.decode('utf-8', 'replace'), self.total > len(self.kept)


def boot():
    from kivy.config import Config
    Config.set('kivy', 'exit_on_escape', '0')
    Config.set('kivy', 'log_level', os.environ.get('KIVY_RENDER_LOG_LEVEL', 'warning'))
    Config.set('graphics', 'maxfps', os.environ.get('KIVY_RENDER_MAXFPS', '0'))
    Config.set('input', 'mouse', 'mouse,disable_multitouch')
    import kivy
    from kivy.core.window import Window  # creates the window
    from kivy.core.text import Label as CoreLabel
    # Import what snippets commonly use so their imports are dictionary look-ups.
    import kivy.app, kivy.lang, kivy.clock, kivy.animation, kivy.properties, kivy.metrics  # noqa: E401,F401
    import kivy.uix.button, kivy.uix.label, kivy.uix.boxlayout, kivy.uix.gridlayout  # noqa: E401,F401
    import kivy.uix.floatlayout, kivy.uix.anchorlayout, kivy.uix.relativelayout  # noqa: E401,F401
    import kivy.uix.stacklayout, kivy.uix.scrollview, kivy.uix.textinput, kivy.uix.image  # noqa: E401,F401
    import kivy.uix.screenmanager, kivy.uix.recycleview, kivy.uix.slider, kivy.uix.switch  # noqa: E401,F401
    import kivy.uix.checkbox, kivy.uix.togglebutton, kivy.uix.spinner, kivy.uix.popup  # noqa: E401,F401
    import kivy.uix.progressbar, kivy.uix.tabbedpanel, kivy.uix.widget  # noqa: E401,F401
    import kivy.graphics  # noqa: F401
    CoreLabel(text='warm-up').refresh()  # loads the default font
    warm_up_frame(Window)
    import logging
    from kivy.logger import Logger
    Logger.setLevel(getattr(logging, os.environ.get('KIVY_RENDER_LOG_LEVEL', 'WARNING').upper(), logging.WARNING))
    return {'kivy': kivy.__version__, 'python': sys.version.split()[0],
            'window': list(Window.size)}


def warm_up_frame(window):
    """Draws one throw-away frame with common widgets: compiles shaders, loads the theme atlas."""
    from kivy.base import EventLoop
    from kivy.uix.boxlayout import BoxLayout
    from kivy.uix.button import Button
    from kivy.uix.label import Label
    from kivy.uix.textinput import TextInput
    box = BoxLayout()
    for widget in (Button(text='warm'), Label(text='up'), TextInput(text='x')):
        box.add_widget(widget)
    window.add_widget(box)
    EventLoop.idle()
    window.remove_widget(box)


def start_watchdog(seconds, stdout, stderr):
    """Answers with a timeout result (keeping the output so far) if the render overruns."""
    def expire():
        out, out_cut = stdout.snapshot()
        err, err_cut = stderr.snapshot()
        write_frame({'type': 'result', 'ok': False, 'stdout': out, 'stdout_truncated': out_cut,
                     'stderr': err, 'stderr_truncated': err_cut,
                     'error': {'kind': 'timeout', 'line': None, 'traceback': None,
                               'message': 'The snippet did not show a frame within %g s.' % seconds}})
        os._exit(0)
    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()


def serve(info):
    request = read_request()
    if request is None:
        os._exit(0)  # stdin closed: the pool let this container go unused
    received = time.monotonic()
    limit = int(request.get('output_limit', 65536))
    stdout = CappedCapture(1, limit)
    stderr = CappedCapture(2, limit)
    sys.stdout = open(1, 'w', buffering=1, encoding='utf-8', errors='replace', closefd=False)
    sys.stderr = open(2, 'w', buffering=1, encoding='utf-8', errors='replace', closefd=False)
    start_watchdog(float(request.get('timeout_s', 10)), stdout, stderr)

    def finish(header, png=b''):
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        header['stdout'], header['stdout_truncated'] = stdout.collect(1)
        header['stderr'], header['stderr_truncated'] = stderr.collect(2)
        header.setdefault('timings', {})['in_container_ms'] = round((time.monotonic() - received) * 1000, 1)
        write_frame(dict(header, type='result'), png)
        os._exit(0)

    harness = {'__name__': 'kivy_render_harness', 'REQUEST': request, 'FINISH': finish, 'INFO': info}
    for script in request['harness']:
        exec(compile(script['source'], '<kivy-render:%s>' % script['name'], 'exec'), harness)
    harness['main']()
    # main() hands control to Kivy's event loop; reaching here means the app ended by itself.
    finish({'ok': False, 'error': {'kind': 'runtime', 'line': None, 'traceback': None,
                                   'message': 'The app closed before a frame could be captured.'}})


def main():
    try:
        info = boot()
    except BaseException as error:  # the image is broken: say so instead of hanging
        write_frame({'type': 'boot-error', 'message': '%s: %s' % (type(error).__name__, error)})
        os._exit(3)
    # SDL turns SIGTERM into a quit event, which would end the app "normally": a container stopped
    # from outside (engine shutdown, docker stop) must die instead, so the host sees it was stopped.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    info['boot_ms'] = round((time.monotonic() - BOOT_STARTED) * 1000, 1)
    with open(READY_FILE, 'w') as ready:
        ready.write(str(os.getpid()))
    write_frame(dict(info, type='ready'))
    serve(info)


if __name__ == '__main__':
    main()
