from kivy.app import App
from kivy.lang import Builder

KV = '''
ScreenManager:
    Screen:
        name: 'menu'
        BoxLayout:
            orientation: 'vertical'
            padding: 40
            spacing: 20
            Label:
                text: 'Menu screen'
                font_size: '32sp'
            Button:
                text: 'Go to settings'
                on_press: app.root.current = 'settings'
    Screen:
        name: 'settings'
        BoxLayout:
            orientation: 'vertical'
            padding: 40
            spacing: 20
            Label:
                text: 'Settings screen'
                font_size: '32sp'
            Button:
                text: 'Back to the menu'
                on_press: app.root.current = 'menu'
'''


class ScreensApp(App):
    def build(self):
        return Builder.load_string(KV)


ScreensApp().run()
