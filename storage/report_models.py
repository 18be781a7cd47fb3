"""Tables of the trend reports area (see ``storage.models`` for the conventions).

Imported at the end of ``storage.models`` so that ``Base.metadata`` always holds them.
"""

from __future__ import annotations
