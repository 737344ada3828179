from kivy.app import App
from kivy.properties import NumericProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.slider import Slider


class Thermostat(BoxLayout):
    temperature = NumericProperty(21)

    def __init__(self, **kwargs):
        super().__init__(orientation='vertical', padding=30, spacing=20, **kwargs)
        self.reading = Label(font_size='48sp')
        slider = Slider(min=10, max=30, value=self.temperature, step=0.5)
        # Properties notify their observers: the slider drives the property, the property drives the label.
        slider.bind(value=lambda _slider, value: setattr(self, 'temperature', value))
        self.bind(temperature=self.show)
        self.add_widget(self.reading)
        self.add_widget(slider)
        self.show(self, self.temperature)

    def show(self, _widget, value):
        self.reading.text = f'{value:.1f} °C'


class PropertiesApp(App):
    def build(self):
        return Thermostat()


PropertiesApp().run()
