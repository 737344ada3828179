"""HEALTHCHECK: healthy once the worker announced readiness and the X display accepts connections."""
import os
import socket
import sys


def main():
    try:
        display = open('/tmp/.display').read().strip().lstrip(':')
    except OSError:
        return 'no display yet'
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(2)
    try:
        sock.connect('/tmp/.X11-unix/X%s' % display)
    except OSError as error:
        return 'X display :%s unreachable: %s' % (display, error)
    finally:
        sock.close()
    if not os.path.exists('/tmp/.kivy-render-ready'):
        return 'render worker not ready yet'
    return None


if __name__ == '__main__':
    problem = main()
    if problem:
        print(problem)
        sys.exit(1)
    print('ok')
