def create_app(*args, **kwargs):
    # Imported here so that importing this module stays cheap for the CLI.
    from app.server import Gateway

    gateway = Gateway(*args, **kwargs)
    return gateway.app


app = create_app()
