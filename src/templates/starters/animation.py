from kivy.animation import Animation
from kivy.app import App
from kivy.uix.button import Button
from kivy.uix.floatlayout import FloatLayout


class AnimationApp(App):
    def build(self):
        root = FloatLayout()
        ball = Button(text='Bouncing', size_hint=(0.25, 0.15), pos_hint={'x': 0.05, 'y': 0.7},
                      background_normal='', background_color=(0.3, 0.6, 0.9, 1))
        root.add_widget(ball)
        bounce = (Animation(pos_hint={'x': 0.7, 'y': 0.1}, background_color=(0.9, 0.4, 0.3, 1), duration=0.6, t='out_bounce')
                  + Animation(pos_hint={'x': 0.05, 'y': 0.7}, background_color=(0.3, 0.6, 0.9, 1), duration=0.6))
        bounce.repeat = True
        bounce.start(ball)
        return root


AnimationApp().run()
