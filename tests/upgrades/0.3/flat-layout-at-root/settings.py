TITLE = "todo-api"
