from kivy.app import App
from kivy.uix.button import Button
from kivy.uix.gridlayout import GridLayout


class ButtonsApp(App):
    def build(self):
        grid = GridLayout(cols=3, padding=20, spacing=10)
        for number in range(1, 10):
            grid.add_widget(Button(text=str(number), font_size='28sp'))
        print('built a keypad with', len(grid.children), 'buttons')
        return grid


ButtonsApp().run()
