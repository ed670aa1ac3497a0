"""baton-alibaba-cloud: a ConductorOne baton connector for Alibaba Cloud RAM, IMS and STS."""

__version__ = "0.1.0"
