from kivy.app import App
from kivy.graphics import Color, Ellipse, Line, Rectangle
from kivy.uix.widget import Widget


class Drawing(Widget):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.bind(pos=self.redraw, size=self.redraw)

    def redraw(self, *args):
        self.canvas.clear()
        w, h = self.size
        with self.canvas:
            Color(0.95, 0.95, 0.9, 1)
            Rectangle(pos=self.pos, size=self.size)
            Color(0.9, 0.4, 0.2, 1)
            Ellipse(pos=(w * 0.1, h * 0.4), size=(w * 0.3, w * 0.3))
            Color(0.2, 0.5, 0.9, 1)
            Rectangle(pos=(w * 0.55, h * 0.15), size=(w * 0.35, h * 0.5))
            Color(0.1, 0.1, 0.1, 1)
            Line(points=[w * 0.05, h * 0.1, w * 0.5, h * 0.9, w * 0.95, h * 0.1], width=3)
            Line(circle=(w * 0.5, h * 0.5, min(w, h) * 0.45), width=2)


class CanvasApp(App):
    def build(self):
        return Drawing()


CanvasApp().run()
