"""AnalysisService, users and their credentials: API tokens, JSON Web Token pairs, CSRF tokens."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator

import grpc

from polyphony.analysis.web import mapping
from polyphony.analysis.web.base import AnalysisRpcBase
from polyphony.analysis.web.requests import (
    body_dict,
)
from polyphony.api.analysis.v1 import analysis_pb2 as pb
from polyphony.core.auth import credentials_from
from polyphony.rpc.http import metadata, send_http


class UsersRpc(AnalysisRpcBase):
    async def ListUsers(
        self, request: pb.ListUsersRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[pb.User]:
        base = self._base(context)
        for user in await self.users.list():
            yield mapping.user_msg(user, base)

    async def GetUser(self, request: pb.GetUserRequest, context: grpc.aio.ServicerContext) -> pb.User:
        token = credentials_from(metadata(context).get("authorization")).token
        return mapping.user_msg(await self.users.get(request.username, token), self._base(context))

    async def CreateUser(self, request: pb.CreateUserRequest, context: grpc.aio.ServicerContext) -> pb.User:
        user = await self.users.create(body_dict(request.body))
        await self.refresh_tokens()
        message = mapping.user_msg(user, self._base(context))
        await send_http(context, 201, [("location", message.url)])
        return message

    async def DeleteUser(
        self, request: pb.DeleteUserRequest, context: grpc.aio.ServicerContext
    ) -> pb.DeleteUserResponse:
        await self.users.delete(request.username)
        await self.refresh_tokens()
        await self._no_content(context)
        return pb.DeleteUserResponse()

    async def ObtainAuthToken(
        self, request: pb.ObtainAuthTokenRequest, context: grpc.aio.ServicerContext
    ) -> pb.AuthToken:
        return pb.AuthToken(token=await self.users.obtain_token(body_dict(request.body)))

    async def ObtainJwtPair(self, request: pb.ObtainJwtPairRequest, context: grpc.aio.ServicerContext) -> pb.JwtPair:
        refresh, access = await self.users.obtain_jwt_pair(body_dict(request.body))
        return pb.JwtPair(refresh=refresh, access=access)

    async def RefreshJwt(self, request: pb.RefreshJwtRequest, context: grpc.aio.ServicerContext) -> pb.JwtPair:
        return pb.JwtPair(access=await self.users.refresh_jwt(body_dict(request.body)))

    async def VerifyJwt(self, request: pb.VerifyJwtRequest, context: grpc.aio.ServicerContext) -> pb.VerifyJwtResponse:
        self.users.verify_jwt(body_dict(request.body))
        return pb.VerifyJwtResponse()

    async def GetCsrfToken(self, request: pb.GetCsrfTokenRequest, context: grpc.aio.ServicerContext) -> pb.CsrfToken:
        return pb.CsrfToken(csrftoken=secrets.token_urlsafe(48))
