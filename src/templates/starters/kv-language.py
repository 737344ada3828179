from kivy.app import App
from kivy.lang import Builder
from kivy.properties import NumericProperty
from kivy.uix.boxlayout import BoxLayout

Builder.load_string('''
<Counter>:
    orientation: 'vertical'
    padding: 20
    spacing: 10
    Label:
        text: 'Clicks: %d' % root.clicks
        font_size: '32sp'
    BoxLayout:
        size_hint_y: 0.3
        spacing: 10
        Button:
            text: 'Add one'
            on_press: root.clicks += 1
        Button:
            text: 'Reset'
            on_press: root.clicks = 0
''')


class Counter(BoxLayout):
    clicks = NumericProperty(3)


class KvApp(App):
    def build(self):
        return Counter()


KvApp().run()
