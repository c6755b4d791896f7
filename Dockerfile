# Anju's services: one image, the `anju` command chooses the role.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY domain domain
COPY stores stores
COPY ingest ingest
COPY detectors detectors
COPY alerts alerts
COPY web web
COPY firmware_sim firmware_sim
COPY gateway gateway
COPY broker broker
COPY device_models device_models
COPY anju anju
COPY benchmarks benchmarks
RUN pip install --no-cache-dir . && useradd --system --home /var/lib/anju anju \
    && mkdir -p /var/lib/anju && chown anju /var/lib/anju
USER anju
ENV ANJU_DATA_DIR=/var/lib/anju ANJU_LOG_FORMAT=json
EXPOSE 8000 9100
ENTRYPOINT ["anju"]
CMD ["serve"]
