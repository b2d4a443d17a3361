from app.domain import App
from app.presentation.login import login_router
from app.presentation.signup import signup_router

application = App(object(), [signup_router, login_router])
app = application.api
