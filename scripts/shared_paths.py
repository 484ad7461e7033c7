"""Where the team's shared folder is: networks, EPANET references and tools.

The validation and benchmark scripts default to files in it. It is found as
$PIPENET_SHARED when that is set, else as the first folder named `shared`
beside the repository or beside one of its parents (so that a git worktree
nested one level deeper finds the same folder), else `../shared` beside
the repository, which then does not exist and the script says so.
"""
import os

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _find():
    env = os.environ.get("PIPENET_SHARED")
    if env:
        return os.path.abspath(env)
    here = REPO
    while True:
        parent = os.path.dirname(here)
        candidate = os.path.join(parent, "shared")
        if os.path.isdir(candidate):
            return candidate
        if parent == here:
            return os.path.normpath(os.path.join(REPO, "..", "shared"))
        here = parent


SHARED = _find()


def shared(*parts):
    """A path inside the shared folder."""
    return os.path.join(SHARED, *parts)
