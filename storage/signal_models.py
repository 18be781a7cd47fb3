"""Tables of the signals, tvo triage and matching area (see ``storage.models`` for the conventions).

Imported at the end of ``storage.models`` so that ``Base.metadata`` always holds them.
"""

from __future__ import annotations
