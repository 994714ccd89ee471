"""Runs a peer script as __main__ and then prints its peak RSS: python3 measure.py SCRIPT ARGS...
(ru_maxrss of this process: the peer's own peak, Python and libtorch included)."""
import resource, runpy, sys

script = sys.argv[1]
sys.argv = sys.argv[1:]
runpy.run_path(script, run_name='__main__')
print(f'peak_rss_mb={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}', flush=True)
