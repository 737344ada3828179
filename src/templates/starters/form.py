from kivy.app import App
from kivy.uix.button import Button
from kivy.uix.gridlayout import GridLayout
from kivy.uix.label import Label
from kivy.uix.textinput import TextInput


class SignUpForm(GridLayout):
    def __init__(self, **kwargs):
        super().__init__(cols=2, padding=30, spacing=12, row_force_default=True, row_default_height=44, **kwargs)
        self.fields = {}
        for label, hint, secret in [('Name', 'Ada Lovelace', False), ('Email', 'ada@example.com', False), ('Password', '', True)]:
            self.add_widget(Label(text=label, halign='right', size_hint_x=0.35))
            field = TextInput(hint_text=hint, password=secret, multiline=False)
            self.fields[label] = field
            self.add_widget(field)
        self.fields['Name'].text = 'Ada'
        self.message = Label(text='Fill in the form')
        submit = Button(text='Sign up')
        submit.bind(on_press=self.submit)
        self.add_widget(self.message)
        self.add_widget(submit)

    def submit(self, _button):
        missing = [name for name, field in self.fields.items() if not field.text]
        self.message.text = f'Missing: {", ".join(missing)}' if missing else 'Welcome!'


class FormApp(App):
    def build(self):
        return SignUpForm()


FormApp().run()
