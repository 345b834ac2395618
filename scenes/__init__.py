"""vizkit's scenes, one module each, installed as ``vizkit_scenes``.

Each module defines a click command ``cli`` (made with
``vizkit.cli.options.scene_command``) and runs it with ``run_program(cli)``
when executed as a script:
``python scenes/layer_spaces.py`` and ``vizkit layer-spaces`` are the same.
Shared pieces belong in ``vizkit/``, not here.
"""
