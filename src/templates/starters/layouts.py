from kivy.app import App
from kivy.uix.anchorlayout import AnchorLayout
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.gridlayout import GridLayout
from kivy.uix.label import Label


class LayoutsApp(App):
    def build(self):
        root = BoxLayout(orientation='vertical', padding=10, spacing=10)
        root.add_widget(Label(text='BoxLayout (vertical) holding three layouts', size_hint_y=0.15, font_size='20sp'))

        row = BoxLayout(spacing=10)
        row.add_widget(Button(text='BoxLayout\nleft'))
        row.add_widget(Button(text='BoxLayout\nright'))
        root.add_widget(row)

        grid = GridLayout(cols=3, spacing=5)
        for i in range(6):
            grid.add_widget(Button(text=f'Grid {i + 1}'))
        root.add_widget(grid)

        anchor = AnchorLayout(anchor_x='right', anchor_y='bottom')
        anchor.add_widget(Button(text='AnchorLayout: bottom right', size_hint=(0.5, 0.5)))
        root.add_widget(anchor)
        return root


LayoutsApp().run()
