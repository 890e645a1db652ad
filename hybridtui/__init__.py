"""hybridtui: a terminal dashboard and interop comparator for hybrid clouds.

Importing the package stays cheap on purpose: the CLI must reach first paint
before any cloud SDK (or even Textual) is loaded.
"""

__version__ = "0.1.0"
