"""Errors as JSON: {"detail": "…"} with the same message a page would show (in the caller's Accept-Language)."""

from django.http import Http404
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from core.errors import DomainError


def api_exception_handler(error, context):
    if isinstance(error, DomainError):
        return Response({"detail": error.message}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(error, Http404):
        error = Http404()  # never say which object or query was not found
    return exception_handler(error, context)
