"""Render harness (runs inside the container): finds what the user's snippet shows and shows it.

Accepted shapes: an App subclass (with or without `.run()`), `runTouchApp(widget)`, a module-level
widget, or (mode "kv") a bare KV string loaded with Builder. The user's code is compiled under its
own file name and never spliced into other text, so every line number in an error is the user's.
Uses REQUEST, FINISH and INFO provided by container_init.py, and FrameCapture from performance_wrapper.
"""
import sys
import time
import traceback

import kivy.app
import kivy.base
from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.lang import Builder
from kivy.uix.widget import Widget

USER_FILE = REQUEST.get('filename', 'main.py')
ORIGINAL_APP_RUN = App.run
TRACEBACK_LIMIT = 12000


class NothingToShow(Exception):
    pass


def user_line(tb):
    """The last line number of the user's file in a traceback, or None."""
    line = None
    for frame in traceback.extract_tb(tb):
        if frame.filename == USER_FILE:
            line = frame.lineno
    return line


def describe_error(error, kind=None):
    tb = error.__traceback__
    frames = [frame for frame in traceback.extract_tb(tb) if not frame.filename.startswith('<kivy-render')]
    lines = ['Traceback (most recent call last):\n'] if frames else []
    lines += traceback.format_list(frames)
    lines += traceback.format_exception_only(type(error), error)
    text = ''.join(lines)
    if len(text) > TRACEBACK_LIMIT:
        text = '...\n' + text[-TRACEBACK_LIMIT:]
    line = user_line(tb)
    message = '%s: %s' % (type(error).__name__, error) if str(error) else type(error).__name__
    if isinstance(error, SyntaxError) and error.filename == USER_FILE:
        line, kind = error.lineno, kind or 'syntax'
        message = '%s: %s' % (type(error).__name__, error.msg)
    kv_line = getattr(error, 'line', None)
    if line is None and isinstance(kv_line, int) and getattr(error, 'filename', None) == USER_FILE:
        line = kv_line + 1  # Kivy's parser counts from 0
    if isinstance(error, MemoryError):
        kind = 'memory'
    if isinstance(error, BlockingIOError) and 'fork' in text:
        message += ' (the sandbox limits how many processes a render may start)'
    if isinstance(error, SystemExit):
        message = 'The snippet called sys.exit(%s) before a frame was shown.' % (error.code,)
    return {'kind': kind or 'runtime', 'message': message, 'line': line, 'traceback': text}


def fail(error, kind=None):
    FINISH({'ok': False, 'error': describe_error(error, kind)})


def size_window():
    Window.size = (int(REQUEST['width']), int(REQUEST['height']))


class Showable:
    """What the snippet asked to show: an App instance or a root widget."""
    app = None
    widget = None


def capture_done(result, frames):
    width, height, png = result
    FINISH({'ok': True, 'width': width, 'height': height, 'frames': frames,
            'timings': {'run_ms': round((time.monotonic() - RUN_STARTED[0]) * 1000, 1),
                        'exec_ms': EXEC_MS[0]}}, png)


RUN_STARTED = [0.0]
EXEC_MS = [0.0]
capture = FrameCapture(Window, max(0.0, float(REQUEST.get('delay_ms', 0)) / 1000.0), capture_done)


def load_python(showable):
    original_run_touch_app = kivy.base.runTouchApp

    def record_run(app_self):
        showable.app = app_self

    def record_touch_app(widget=None, embedded=False):
        showable.widget = widget

    App.run = record_run
    kivy.base.runTouchApp = record_touch_app
    namespace = {'__name__': '__main__', '__file__': USER_FILE, '__builtins__': __builtins__}
    sys.modules['__main__'].__dict__.update(namespace)
    try:
        code = compile(REQUEST['source'], USER_FILE, 'exec', dont_inherit=True)
        exec(code, namespace)
    finally:
        kivy.base.runTouchApp = original_run_touch_app
    if showable.app is None and showable.widget is None:
        app_classes = [value for value in namespace.values()
                       if isinstance(value, type) and issubclass(value, App) and value is not App
                       and value.__module__ == '__main__']
        if app_classes:
            showable.app = app_classes[-1]()
    if showable.app is None and showable.widget is None:
        widgets = [value for value in namespace.values() if isinstance(value, Widget) and value.parent is None]
        if widgets:
            showable.widget = widgets[-1]
    if showable.app is None and showable.widget is None:
        raise NothingToShow('Nothing to show: define an App subclass (with or without .run()), '
                            'call runTouchApp(widget), or leave a root widget in a variable.')
    return original_run_touch_app


def main():
    showable = Showable()
    exec_started = time.monotonic()
    try:
        size_window()
        if REQUEST.get('mode') == 'kv':
            class KvApp(App):
                def build(self):
                    root = Builder.load_string(REQUEST['source'], filename=USER_FILE)
                    if root is None:
                        raise NothingToShow('The KV code has no root widget: add a top-level rule '
                                            'such as "BoxLayout:" (class rules like <MyWidget> alone show nothing).')
                    return root
            showable.app = KvApp()
            run_touch_app = kivy.base.runTouchApp
        else:
            run_touch_app = load_python(showable)
    except NothingToShow as error:
        FINISH({'ok': False, 'error': {'kind': 'runtime', 'message': str(error), 'line': None, 'traceback': None}})
    except BaseException as error:
        fail(error)
    EXEC_MS[0] = round((time.monotonic() - exec_started) * 1000, 1)
    RUN_STARTED[0] = time.monotonic()
    # interaction_script (sent for steps, animations and tours) runs the session; else the screenshot.
    Clock.schedule_once(lambda _dt: globals().get('start_session', capture.start)(), 0)
    try:
        if showable.app is not None:
            App.run = ORIGINAL_APP_RUN
            showable.app.run()
        else:
            run_touch_app(showable.widget)
    except NothingToShow as error:
        FINISH({'ok': False, 'error': {'kind': 'runtime', 'message': str(error), 'line': None, 'traceback': None}})
    except BaseException as error:
        fail(error)
    globals().get('app_closed', lambda: None)()  # a recording ends where the app closed itself
