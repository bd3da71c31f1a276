"""Building pipeline binaries: base binaries frozen once by PyInstaller, with each pipeline appended.

- ``targets``: OS/architecture names and the host's;
- ``freeze``: the PyInstaller recipe of the base;
- ``base``: where bases are kept, finding one, freezing one under a lock;
- ``embed``: writing a binary (base + payload) atomically;
- ``services``: which files of the pipeline's path services the binary embeds;
- ``service_imports``: whether the base carries what an embedded Python service imports;
- ``progress``: the build's phases on the terminal;
- ``builder``: the phases of ``oic build`` after checking.

The payload format itself lives in ``runtime.launcher``, which reads it at start-up, and the format
of the embedded services' archive in ``runtime.bundles``.
"""
