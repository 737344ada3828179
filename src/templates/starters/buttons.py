from kivy.app import App
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.label import Label


class ButtonsApp(App):
    def build(self):
        root = BoxLayout(orientation='vertical', padding=20, spacing=10)
        self.status = Label(text='Press a button', font_size='24sp')
        root.add_widget(self.status)
        row = BoxLayout(spacing=10, size_hint_y=0.3)
        for name, color in [('Red', (0.9, 0.3, 0.3, 1)), ('Green', (0.3, 0.8, 0.4, 1)), ('Blue', (0.3, 0.5, 0.9, 1))]:
            button = Button(text=name, background_normal='', background_color=color, font_size='20sp')
            button.bind(on_press=self.pressed)
            row.add_widget(button)
        root.add_widget(row)
        return root

    def pressed(self, button):
        self.status.text = f'You pressed {button.text}'


ButtonsApp().run()
