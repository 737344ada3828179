from math import cos, sin, pi

from kivy.app import App
from kivy.graphics import Color, Ellipse, Line, Rectangle
from kivy.uix.widget import Widget


class Drawing(Widget):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.bind(size=self.redraw, pos=self.redraw)

    def redraw(self, *_):
        self.canvas.clear()
        cx, cy = self.center
        with self.canvas:
            Color(0.95, 0.95, 0.9)
            Rectangle(pos=self.pos, size=self.size)
            for i in range(12):
                Color(i / 12, 0.5, 1 - i / 12)
                angle = 2 * pi * i / 12
                Ellipse(pos=(cx + 180 * cos(angle) - 25, cy + 180 * sin(angle) - 25), size=(50, 50))
            Color(0.2, 0.2, 0.2)
            Line(circle=(cx, cy, 120), width=3)


class DrawingApp(App):
    def build(self):
        return Drawing()


DrawingApp().run()
