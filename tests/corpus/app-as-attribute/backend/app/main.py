from app.bootstrap import Application

application = Application()
app = application.app
