"""Interaction steps and the tour (runs inside the container; sent only when a render has steps or records).

`start_session()` replaces FrameCapture.start for such renders: once the app has drawn two frames it
runs the request's steps (parsed and checked on the host: press, type, wait, scroll), then takes the
screenshot, or, for "animation" and "tour", records while the steps (and the tour: each button,
toggle and tab pressed in turn) run. A step that names no widget on screen fails the render with a
message naming the step. Uses FrameCapture/read_pixels (performance_wrapper), FrameRecorder and
finish_recording (animation_recorder) and describe_error/FINISH (kivy_script_template, container_init).
"""
import time

from kivy.clock import Clock
from kivy.core.window import Window

PRESS_HOLD_S = 0.12       # how long a pressed button shows its "down" state (in a recording, 1.5 frames at least)
RECORDED_GAP_S = 0.45     # pause after each step in a recording, so the viewer sees what happened
LEAD_IN_S = 0.3           # a recording shows the untouched app first
TAIL_S = 0.5              # and the result of the last step
TYPE_CHAR_S = 0.05
MAX_TOUR_PRESSES = 24
QUIT_TEXT = ('quit', 'exit', 'close app')  # a tour leaves these alone
SESSION = []


class StepError(Exception):
    pass


def walk(widget):
    """The widget and everything under it, front-most child first."""
    yield widget
    for child in list(widget.children):
        yield from walk(child)


def on_screen(front_only=False):
    """Every widget attached to the window; with front_only, only those of an open popup if there is one."""
    from kivy.uix.modalview import ModalView
    roots = list(Window.children)
    if front_only and roots and isinstance(roots[0], ModalView):
        roots = roots[:1]
    return [widget for root in roots for widget in walk(root)]


def ids_on_screen(widgets):
    """id -> widget, from every `ids` dictionary (KV ids) and from `widget.id` set in Python."""
    named = {}
    for widget in widgets:
        for name, target in getattr(widget, 'ids', {}).items():
            named.setdefault(name, target)
        own = getattr(widget, 'id', None)
        if isinstance(own, str) and own:
            named.setdefault(own, widget)
    return named


def is_pressable(widget):
    from kivy.uix.behaviors import ButtonBehavior
    from kivy.uix.switch import Switch
    return isinstance(widget, (ButtonBehavior, Switch))


def unwrap(widget):
    """The widget behind a KV id's weak proxy."""
    return getattr(widget, '__self__', widget)


def describe_widget(widget):
    text = getattr(widget, 'text', None)
    return '%s "%s"' % (type(widget).__name__, text) if isinstance(text, str) and text else type(widget).__name__


def find_widget(target, kinds=None):
    """The widget a step's target names (by id or by text; by text, one of `kinds` first), or a StepError
    saying what is on screen."""
    widgets = on_screen()
    if 'id' in target:
        named = ids_on_screen(widgets)
        widget = named.get(target['id'])
        if widget is None:
            known = ', '.join('#' + name for name in sorted(named)[:15]) or 'none'
            raise StepError('no widget with id "%s" is on screen (ids on screen: %s)' % (target['id'], known))
        widget = unwrap(widget)
        if not any(widget is candidate for candidate in widgets):
            raise StepError('the widget #%s is not on screen (it is not attached to the window)' % target['id'])
        return widget
    wanted = target['text']
    texts = lambda widget: [getattr(widget, name, None) for name in ('text', 'hint_text')]
    for match in (lambda value: value == wanted, lambda value: value.strip().lower() == wanted.strip().lower()):
        found = [widget for widget in widgets if any(isinstance(value, str) and match(value) for value in texts(widget))]
        if kinds:
            found = [widget for widget in found if isinstance(widget, kinds)] or found
        found.sort(key=lambda widget: not is_pressable(widget))  # a button before a label with the same text
        if found:
            return found[0]
    from kivy.uix.textinput import TextInput
    shown = [getattr(widget, 'text', '') for widget in widgets if is_pressable(widget)]
    shown += [widget.hint_text for widget in widgets if isinstance(widget, TextInput)]
    shown = ', '.join(['"%s"' % text for text in shown if isinstance(text, str) and text][:12]) or 'none'
    raise StepError('no widget with the text "%s" is on screen (buttons and text inputs on screen: %s)' % (wanted, shown))


class Touch:
    """A synthetic touch at window coordinates, dispatched like a real one."""
    _next_id = [0]

    def __init__(self, x, y):
        from kivy.input.motionevent import MotionEvent

        class StepTouch(MotionEvent):
            def depack(self, args):
                self.sx, self.sy = args
                self.profile = ['pos']
                super().depack(args)

        Touch._next_id[0] += 1
        width, height = Window.system_size
        self.event = StepTouch('kivy-render', 'step-%d' % Touch._next_id[0],
                               (x / max(1.0, width - 1.0), y / max(1.0, height - 1.0)), is_touch=True, type_id='touch')

    def down(self):
        from kivy.base import EventLoop
        EventLoop.post_dispatch_input('begin', self.event)

    def up(self):
        from kivy.base import EventLoop
        EventLoop.post_dispatch_input('end', self.event)


def press(widget, hold_s):
    """Presses like a user: buttons, toggles, checkboxes and tabs fire their events; a switch flips;
    anything else gets a touch at its centre. Yields the seconds to wait."""
    from kivy.uix.behaviors import ButtonBehavior
    from kivy.uix.switch import Switch
    from kivy.uix.textinput import TextInput
    if widget.disabled:
        raise StepError('%s is disabled' % describe_widget(widget))
    if isinstance(widget, ButtonBehavior):
        widget.trigger_action(duration=hold_s)
        yield hold_s
    elif isinstance(widget, Switch):
        widget.active = not widget.active
    elif isinstance(widget, TextInput):
        widget.focus = True
    else:
        touch = Touch(*widget.to_window(*widget.center))
        touch.down()
        yield hold_s
        touch.up()


def type_text(widget, text, char_s):
    from kivy.uix.textinput import TextInput
    if not isinstance(widget, TextInput):
        raise StepError('%s is not a TextInput' % describe_widget(widget))
    if widget.disabled or widget.readonly:
        raise StepError('the TextInput is %s' % ('disabled' if widget.disabled else 'read-only'))
    widget.focus = True
    for chunk in (text if char_s else [text]):
        for index, line in enumerate(chunk.split('\n')):
            if index and widget.multiline:
                widget.insert_text('\n')
            elif index:
                widget.dispatch('on_text_validate')
            if line:
                widget.insert_text(line)
        if char_s:
            yield char_s


def scroll(widget, direction, animate):
    from kivy.animation import Animation
    from kivy.uix.scrollview import ScrollView
    view = next((candidate for candidate in walk(widget) if isinstance(candidate, ScrollView)), None)
    parent = widget.parent
    while view is None and parent is not None and parent is not Window:
        view = parent if isinstance(parent, ScrollView) else None
        parent = parent.parent
    if view is None:
        raise StepError('%s is not in a ScrollView' % describe_widget(widget))
    content = view.children[0] if view.children else None
    axis = 'scroll_x' if direction in ('left', 'right') else 'scroll_y'
    if direction in ('top', 'bottom'):
        value = 1.0 if direction == 'top' else 0.0
    else:
        extent = (content.width - view.width) if axis == 'scroll_x' else (content.height - view.height)
        page = 1.0 if content is None or extent <= 0 else min(1.0, (view.width if axis == 'scroll_x' else view.height) / extent)
        sign = 1 if direction in ('up', 'right') else -1
        sign = -sign if axis == 'scroll_x' else sign
        value = min(1.0, max(0.0, getattr(view, axis) + sign * page))
    if animate:
        Animation(**{axis: value, 'duration': 0.35}).start(view)
        yield 0.4
    else:
        setattr(view, axis, value)


class Session:
    def __init__(self, mode, steps):
        self.mode = mode
        self.recording = mode in ('animation', 'tour')
        self.steps = steps
        self.recorder = None
        self.pressed = []
        self.frames_seen = 0
        self.current = None  # the step being run, for errors raised by the snippet's handlers

    def begin(self):
        """Waits for two drawn frames (the layout is done), then starts."""
        Window.bind(on_flip=self._count_frame)
        Window.canvas.ask_update()

    def _count_frame(self, *args):
        self.frames_seen += 1
        if self.frames_seen < 2:
            Window.canvas.ask_update()
            return
        Window.unbind(on_flip=self._count_frame)
        Clock.schedule_once(lambda _dt: self._started(), 0)

    def _started(self):
        if not self.recording:
            return self.run(self.step_actions(), capture.start)
        Clock.schedule_once(lambda _dt: self._record(), max(0.0, float(REQUEST.get('delay_ms', 0)) / 1000.0))

    def _record(self):
        # A tour lasts as long as it takes (up to the maximum); an animation at least its duration.
        duration_s = LEAD_IN_S if self.mode == 'tour' else float(REQUEST.get('duration_ms', 3000)) / 1000.0
        max_s = float(REQUEST.get('max_duration_ms', 10000)) / 1000.0
        self.recorder = FrameRecorder(Window, float(REQUEST.get('fps', 10)), duration_s, max_s, self.recorded)
        self.recorder.hold = bool(self.steps) or self.mode == 'tour'
        self.recorder.start()
        actions = self.step_actions()
        if self.mode == 'tour':
            actions = self.chain(actions, self.tour())
        Clock.schedule_once(lambda _dt: self.run(actions, self.actions_done), LEAD_IN_S)

    def actions_done(self):
        self.recorder.extend(self.recorder.elapsed() + TAIL_S)
        self.recorder.hold = False
        Window.canvas.ask_update()

    def recorded(self, recorder, note=None):
        extra = {'pressed': self.pressed} if self.mode == 'tour' else {}
        if note:
            extra['note'] = note
        finish_recording(recorder, extra)

    @staticmethod
    def chain(*generators):
        for generator in generators:
            yield from generator

    def step_actions(self):
        """Yields (step, seconds to wait) while running the steps."""
        from kivy.uix.textinput import TextInput
        hold = self.hold_s()
        gap = RECORDED_GAP_S if self.recording else 0.0
        for step in self.steps:
            self.current = step
            action = step['action']
            if action == 'wait':
                yield step, step['ms'] / 1000.0
                continue
            try:
                widget = find_widget(step['target'], TextInput if action == 'type' else None)
            except StepError as error:
                raise StepFailed(step, error)
            if action == 'press':
                actions = press(widget, hold)
            elif action == 'type':
                actions = type_text(widget, step['text'], TYPE_CHAR_S if self.recording else 0)
            else:
                actions = scroll(widget, step['direction'], self.recording)
            for wait in self.guard(step, actions):
                yield step, wait
            yield step, gap

    def hold_s(self):
        return max(PRESS_HOLD_S, 1.5 / self.recorder.fps) if self.recorder else 0.05

    @staticmethod
    def guard(step, actions):
        try:
            yield from actions
        except StepError as error:
            raise StepFailed(step, error)

    def tour(self):
        """Presses every button, toggle, checkbox, switch and tab on screen in reading order, once each,
        including those that appear along the way, while the recording has time left."""
        visited = set()
        budget = self.recorder.max_slots / self.recorder.fps - TAIL_S - self.hold_s() - RECORDED_GAP_S
        while len(self.pressed) < MAX_TOUR_PRESSES and self.recorder.elapsed() < budget:
            candidates = [widget for widget in on_screen(front_only=True) if is_pressable(widget) and id(widget) not in visited
                          and self.touchable(widget)]
            if not candidates:
                return
            widget = min(candidates, key=self.tour_order)
            visited.add(id(widget))
            self.pressed.append(describe_widget(widget))
            step = self.current = {'action': 'press', 'label': 'tour: press %s' % describe_widget(widget), 'line': None}
            for wait in self.guard(step, press(widget, self.hold_s())):
                yield step, wait
            yield step, RECORDED_GAP_S

    @staticmethod
    def tour_order(widget):
        """Everything on the current tab first, in reading order; then the next tab."""
        from kivy.uix.tabbedpanel import TabbedPanelHeader
        x, y = widget.to_window(*widget.pos)
        return isinstance(widget, TabbedPanelHeader), -round(y + widget.height), x

    @staticmethod
    def touchable(widget):
        from kivy.uix.tabbedpanel import TabbedPanelHeader
        text = getattr(widget, 'text', '')
        if widget.disabled or widget.opacity == 0 or widget.width < 1 or widget.height < 1:
            return False
        if isinstance(widget, TabbedPanelHeader) and widget.state == 'down':
            return False  # the tab already shown
        return not (isinstance(text, str) and text.strip().lower() in QUIT_TEXT)

    def run(self, actions, then):
        """Advances `actions` on Kivy's clock; a failing step finishes the render with its error."""
        def advance(_dt=None):
            try:
                _step, wait = next(actions)
            except StopIteration:
                return then()
            except StepFailed as failed:
                return FINISH({'ok': False, 'error': {'kind': 'runtime', 'message': '%s: %s' % (failed.name, failed.error),
                                                      'line': None, 'traceback': None}})
            except BaseException as error:  # the snippet's own handler raised during the step
                info = describe_error(error)
                info['message'] = 'During %s: %s' % (step_name(self.current), info['message'])
                return FINISH({'ok': False, 'error': info})
            Window.canvas.ask_update()
            Clock.schedule_once(advance, wait)
        advance()


def step_name(step):
    if step is None:
        return 'a step'
    if step.get('line'):
        return 'step %s (line %s: %s)' % (step.get('index', '?'), step['line'], step['label'])
    return step['label']


class StepFailed(Exception):
    def __init__(self, step, error):
        super().__init__(str(error))
        self.error = error
        name = step_name(step)
        self.name = name[0].upper() + name[1:]


def start_session():
    session = Session(REQUEST.get('render_mode') or 'screenshot', REQUEST.get('steps') or [])
    SESSION.append(session)
    session.begin()


def app_closed():
    """The app stopped itself during a recording: the clip ends there."""
    session = SESSION[0] if SESSION else None
    if session and session.recorder and session.recorder.frames:
        session.recorder.stopped = session.recorder.stopped or time.monotonic()
        session.recorder.done = True
        session.recorded(session.recorder, 'The app closed itself: the clip ends there.')
