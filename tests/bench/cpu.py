"""The benchmark server's CPU-per-request header (tests/bench/settings.py only)."""

import time


class WorkerCpuMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        began = time.process_time()
        response = self.get_response(request)
        if hasattr(response, "render") and not getattr(response, "is_rendered", True):
            response.render()
        response["X-Worker-CPU"] = f"{1000 * (time.process_time() - began):.2f}"
        return response
