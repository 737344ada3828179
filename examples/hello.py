from kivy.app import App
from kivy.uix.label import Label


class HelloApp(App):
    def build(self):
        return Label(text='Hello, Kivy!', font_size='48sp')


if __name__ == '__main__':
    HelloApp().run()
