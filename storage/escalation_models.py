"""Tables of the escalation routes and clocks area (see ``storage.models`` for the conventions).

Imported at the end of ``storage.models`` so that ``Base.metadata`` always holds them.
"""

from __future__ import annotations
