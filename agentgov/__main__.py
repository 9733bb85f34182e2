import sys

from agentgov.entry import main

sys.exit(main())
