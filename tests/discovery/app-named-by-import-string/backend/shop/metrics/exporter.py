"""A side app on another port, for the metrics scraper."""

from fastapi import FastAPI


def build_metrics_app() -> FastAPI:
    metrics = FastAPI()

    @metrics.get("/metrics")
    def scrape() -> str:
        return ""

    return metrics
