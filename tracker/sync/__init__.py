"""Provides sharing a store through a git remote: several editors, one remote.

Modules (each one job):

* ``refs.py``: the refs that are shared, and where a remote's copies of them are kept;
* ``remotes.py``: ``tracker remote add NAME URL``, the remotes a store knows;
* ``transfer.py``: fetch into per-remote tracking refs, atomic (never forced) push;
* ``notes_merge.py``: a JSON-aware union of later notes and reviews, as a merge commit;
* ``journal_merge.py``: joining two journals, and the sync event;
* ``replay.py``: a local revision replayed onto the remote's tip (token-level three-way
  merge of disjoint changes; overlapping ones refused with a ``ThreeWay``);
* ``run.py``: ``sync``: fetch, check for a rewound remote, merge, push, retry on a race.

docs/collaboration.md says what sync does and refuses, for people.
"""
