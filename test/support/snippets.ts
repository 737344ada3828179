/** 64 labels whose numbers and colours change on every frame: a clip that does not compress well. */
export const BUSY_APP = `from kivy.app import App
from kivy.clock import Clock
from kivy.uix.gridlayout import GridLayout
from kivy.uix.label import Label


class Busy(GridLayout):
    def __init__(self, **kwargs):
        super().__init__(cols=8, **kwargs)
        self.labels = [Label(font_size=14) for _ in range(64)]
        for label in self.labels:
            self.add_widget(label)
        self.tick = 0
        Clock.schedule_interval(self.update, 0)

    def update(self, _dt):
        self.tick += 1
        for i, label in enumerate(self.labels):
            value = (self.tick * 7919 + i * 104729) % 100000
            label.text = str(value)
            label.color = ((value % 97) / 97, (value % 89) / 89, (value % 83) / 83, 1)


class BusyApp(App):
    def build(self):
        return Busy()


BusyApp().run()
`;
