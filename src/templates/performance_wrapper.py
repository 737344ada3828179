"""Frame capture for the render harness (runs inside the container, after the user's code is loaded).

Waits until Kivy has really drawn at least `MIN_FRAMES` frames of the user's app and the requested
capture delay has passed, then reads the back buffer on the window's `on_flip` (after the frame is
drawn, before the buffers swap: a screenshot taken earlier is all black), encodes it as PNG and
finishes the render. Also times each phase.
"""
import io
import time

MIN_FRAMES = 2
# The Xvfb screen: a snippet that sets a larger Window.size is captured at most this large.
SCREEN_LIMIT = (1920, 1080)


class FrameCapture:
    def __init__(self, window, delay_s, on_captured):
        self.window = window
        self.delay_s = delay_s
        self.on_captured = on_captured
        self.frames = 0
        self.armed = False
        self.started = None

    def start(self):
        """Called once the app is running (App.on_start or first clock tick)."""
        from kivy.clock import Clock
        self.started = time.monotonic()
        self.window.bind(on_flip=self._on_flip)
        Clock.schedule_once(self._arm, self.delay_s)

    def _arm(self, _dt):
        self.armed = True
        self.window.canvas.ask_update()  # a static scene draws no frame unless asked

    def _on_flip(self, window, *args):
        self.frames += 1
        if not self.armed or self.frames < MIN_FRAMES:
            window.canvas.ask_update()
            return
        window.unbind(on_flip=self._on_flip)
        self.on_captured(self.grab(), self.frames)

    def grab(self):
        from PIL import Image
        width, height, pixels = read_pixels(self.window)
        image = Image.frombytes('RGB', (width, height), pixels).transpose(Image.Transpose.FLIP_TOP_BOTTOM)
        buffer = io.BytesIO()
        image.save(buffer, format='PNG', compress_level=3)
        return width, height, buffer.getvalue()


def read_pixels(window):
    """(width, height, RGB bytes, bottom row first) of the frame just drawn: call it from on_flip."""
    from kivy.graphics.opengl import glReadPixels, GL_RGB, GL_UNSIGNED_BYTE, glPixelStorei, GL_PACK_ALIGNMENT
    width, height = (max(1, min(int(size), limit)) for size, limit in zip(window.size, SCREEN_LIMIT))
    glPixelStorei(GL_PACK_ALIGNMENT, 1)
    return width, height, glReadPixels(0, 0, width, height, GL_RGB, GL_UNSIGNED_BYTE)
