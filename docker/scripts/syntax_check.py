"""Long-lived syntax checker: parses snippets with the image's own Python, never runs them.

Serves many requests (parsing executes no user code, so nothing one user sends can affect the next),
each a framed JSON {source, filename}; answers each with one frame: {type: "syntax", ok: true} or
{ok: false, line, message, traceback}. Same framing as the render worker.
"""
import ast
import sys
import traceback

from container_init import read_request, write_frame


def check(source, filename):
    try:
        compile(source, filename, 'exec', ast.PyCF_ONLY_AST, dont_inherit=True)
        return {'ok': True}
    except SyntaxError as error:
        return {'ok': False, 'line': error.lineno, 'message': '%s: %s' % (type(error).__name__, error.msg),
                'traceback': ''.join(traceback.format_exception_only(type(error), error))}
    except (ValueError, RecursionError, MemoryError) as error:
        return {'ok': False, 'line': None, 'message': '%s: %s' % (type(error).__name__, error), 'traceback': None}


def main():
    write_frame({'type': 'ready', 'python': sys.version.split()[0]})
    while True:
        request = read_request()
        if request is None:
            return
        write_frame(dict(check(request['source'], request['filename']), type='syntax'))


if __name__ == '__main__':
    main()
