"""Allow ``python -m baton_alibaba_cloud``."""

from baton_alibaba_cloud.cli import main

if __name__ == "__main__":
    main()
