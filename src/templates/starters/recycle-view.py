from kivy.app import App
from kivy.lang import Builder
from kivy.uix.recycleview import RecycleView

Builder.load_string('''
<Rows>:
    viewclass: 'Button'
    RecycleBoxLayout:
        default_size: None, dp(48)
        default_size_hint: 1, None
        size_hint_y: None
        height: self.minimum_height
        orientation: 'vertical'
        spacing: dp(2)
''')


class Rows(RecycleView):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # Thousands of rows cost nothing: only the visible ones get widgets.
        self.data = [{'text': f'Row {i}'} for i in range(1000)]


class RecycleApp(App):
    def build(self):
        return Rows()


RecycleApp().run()
