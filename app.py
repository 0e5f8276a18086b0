from rj import create_app

app = create_app()
