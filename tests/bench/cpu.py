"""The benchmark server's CPU-per-request header (tests/bench/settings.py only): the CPU time
of the thread that served the request (gunicorn's threaded workers serve one request per
thread at a time), and which shared page parts came from the cache."""

import time


class WorkerCpuMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        began = time.thread_time()
        response = self.get_response(request)
        if hasattr(response, "render") and not getattr(response, "is_rendered", True):
            response.render()
        response["X-Worker-CPU"] = f"{1000 * (time.thread_time() - began):.2f}"
        # Shared page parts served from the cache (+) or drawn (-) (opsreview/fragments.py).
        response["X-Shared-Fragments"] = getattr(request, "shared_fragments", "")
        return response
