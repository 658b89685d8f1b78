"""The `chirp` commands of the account service: registering, sessions, passwords, leaving."""

from chirp.account.v1 import account_service_pb2 as account_pb
from chirp.graph.v1 import graph_service_pb2 as graph_pb
from chirp_client import render
from chirp_client.session import Session


def register(s: Session, a) -> str:
    password = s.password("choose a password (8 characters or more): ")
    request = account_pb.CreateAccountRequest(handle=a.handle, password=password, display_name=a.name or "")
    created = s.client.account.CreateAccount(request)
    s.log_in(created.handle, password)
    return "registered " + render.user_line(s.user(created.handle)) + ", and logged in"


def login(s: Session, a) -> str:
    s.log_in(a.handle, s.password(f"password for @{a.handle}: "))
    return f"logged in as @{a.handle}"


def logout(s: Session, a) -> str:
    return f"logged @{s.log_out()} out"


def change_password(s: Session, a) -> str:
    s.me()
    current, new = s.password("current password: "), s.password("new password: ")
    s.client.account.ChangePassword(account_pb.ChangePasswordRequest(current_password=current, new_password=new))
    return "password changed; your other sessions have ended"


def delete_account(s: Session, a) -> str:
    s.client.graph.DeleteUser(graph_pb.DeleteUserRequest(user_id=s.my_id()))
    s.forget()
    return "deleted your account, with its tweets, likes and follows"
