/// kubectl text laid out by tools/kubectl-text.py (Go tabwriter rules, as kubectl prints it).
enum KubectlFixtures {
    static let replicasetWebhook = """
    Name:           ml-pipeline-ui-7d8f9c6b5d
    Namespace:      kubeflow
    Selector:       app=ml-pipeline-ui,pod-template-hash=7d8f9c6b5d
    Labels:         app=ml-pipeline-ui
                    pod-template-hash=7d8f9c6b5d
    Annotations:    deployment.kubernetes.io/desired-replicas: 1
                    deployment.kubernetes.io/max-replicas: 2
                    deployment.kubernetes.io/revision: 1
    Controlled By:  Deployment/ml-pipeline-ui
    Replicas:       0 current / 1 desired
    Pods Status:    0 Running / 0 Waiting / 0 Succeeded / 0 Failed
    Pod Template:
      Labels:           app=ml-pipeline-ui
                        pod-template-hash=7d8f9c6b5d
      Service Account:  ml-pipeline-ui
      Containers:
       ml-pipeline-ui:
        Image:        gcr.io/ml-pipeline/frontend:2.0.5
        Port:         3000/TCP
        Host Port:    0/TCP
        Environment:  <none>
        Mounts:       <none>
      Volumes:        <none>
    Conditions:
      Type            Status  Reason
      ----            ------  ------
      ReplicaFailure  True    FailedCreate
    Events:
      Type     Reason        Age                   From                   Message
      ----     ------        ----                  ----                   -------
      Warning  FailedCreate  4m12s (x17 over 14m)  replicaset-controller  Error creating: Internal error occurred: failed calling webhook "validation.gatekeeper.sh": failed to call webhook: Post "https://gatekeeper-webhook-service.gatekeeper-system.svc:443/v1/admit?timeout=3s": context deadline exceeded
    """

    static let kccChain = """
    Name:         kf-private
    Namespace:    kubeflow
    Labels:       <none>
    Annotations:  cnrm.cloud.google.com/management-conflict-prevention-policy: none
                  cnrm.cloud.google.com/project-id: kf-prod-4412
    API Version:  container.cnrm.cloud.google.com/v1beta1
    Kind:         ContainerCluster
    Metadata:
      Creation Timestamp:  2026-11-22T09:01:48Z
      Generation:          1
      Resource Version:    497816
      UID:                 3f1c2a9e-5b7d-4e21-9c3a-780581782455
    Spec:
      Initial Node Count:  1
      Location:            us-central1
      Network Ref:
        Name:  kf-network
      Private Cluster Config:
        Enable Private Endpoint:  false
        Enable Private Nodes:     true
        Master Ipv 4 Cidr Block:  172.16.0.0/28
      Subnetwork Ref:
        Name:  kf-subnet
    Status:
      Conditions:
        Last Transition Time:  2026-11-22T09:01:49Z
        Message:               reference ComputeSubnetwork kubeflow/kf-subnet is not ready
        Reason:                DependencyNotReady
        Status:                False
        Type:                  Ready
      Observed Generation:     1
    Events:
      Type     Reason              Age                 From                         Message
      ----     ------              ----                ----                         -------
      Warning  DependencyNotReady  2m3s (x9 over 14m)  containercluster-controller  reference ComputeSubnetwork kubeflow/kf-subnet is not ready


    Name:         kf-subnet
    Namespace:    kubeflow
    Labels:       <none>
    Annotations:  cnrm.cloud.google.com/management-conflict-prevention-policy: none
                  cnrm.cloud.google.com/project-id: kf-prod-4412
    API Version:  compute.cnrm.cloud.google.com/v1beta1
    Kind:         ComputeSubnetwork
    Metadata:
      Creation Timestamp:  2026-11-22T09:01:48Z
      Generation:          1
      Resource Version:    386733
      UID:                 3f1c2a9e-5b7d-4e21-9c3a-001801312064
    Spec:
      Ip Cidr Range:  10.10.0.0/20
      Network Ref:
        Name:                    kf-network
      Private Ip Google Access:  true
      Region:                    us-central1
      Resource ID:               kf-subnet
    Status:
      Conditions:
        Last Transition Time:  2026-11-22T09:01:49Z
        Message:               reference ComputeNetwork kubeflow/kf-network is not ready
        Reason:                DependencyNotReady
        Status:                False
        Type:                  Ready
      Observed Generation:     1
    Events:
      Type     Reason              Age                 From                          Message
      ----     ------              ----                ----                          -------
      Warning  DependencyNotReady  2m3s (x9 over 14m)  computesubnetwork-controller  reference ComputeNetwork kubeflow/kf-network is not ready


    Name:         kf-network
    Namespace:    kubeflow
    Labels:       <none>
    Annotations:  cnrm.cloud.google.com/management-conflict-prevention-policy: none
                  cnrm.cloud.google.com/project-id: kf-prod-4412
    API Version:  compute.cnrm.cloud.google.com/v1beta1
    Kind:         ComputeNetwork
    Metadata:
      Creation Timestamp:  2026-11-22T09:01:48Z
      Generation:          1
      Resource Version:    358376
      UID:                 3f1c2a9e-5b7d-4e21-9c3a-115070090273
    Spec:
      Auto Create Subnetworks:  false
      Resource ID:              kf-network
      Routing Mode:             REGIONAL
    Status:
      Conditions:
        Last Transition Time:  2026-11-22T09:01:52Z
        Message:               Update call failed: error applying desired state: summary: Error creating Network: googleapi: Error 403: Required 'compute.networks.create' permission for 'projects/kf-prod-4412/global/networks/kf-network', forbidden
        Reason:                UpdateFailed
        Status:                False
        Type:                  Ready
      Observed Generation:     1
    Events:
      Type     Reason        Age                From                       Message
      ----     ------        ----               ----                       -------
      Warning  UpdateFailed  95s (x8 over 14m)  computenetwork-controller  Update call failed: error applying desired state: summary: Error creating Network: googleapi: Error 403: Required 'compute.networks.create' permission for 'projects/kf-prod-4412/global/networks/kf-network', forbidden
    """

    static let podImagePull = """
    Name:             ml-pipeline-5c8d7b9f4-x2k7q
    Namespace:        kubeflow
    Priority:         0
    Service Account:  ml-pipeline
    Node:             gke-kf-private-default-pool-3f9a6c2e-7h2k/10.10.0.5
    Start Time:       Sun, 22 Nov 2026 09:40:11 +0000
    Labels:           app=ml-pipeline
                      pod-template-hash=5c8d7b9f4
    Annotations:      <none>
    Status:           Pending
    IP:               10.20.1.17
    IPs:
      IP:           10.20.1.17
    Controlled By:  ReplicaSet/ml-pipeline-5c8d7b9f4
    Containers:
      ml-pipeline-api-server:
        Container ID:   
        Image:          gcr.io/ml-pipeline/api-server:2.0.5
        Image ID:       
        Ports:          8888/TCP, 8887/TCP
        Host Ports:     0/TCP, 0/TCP
        State:          Waiting
          Reason:       ImagePullBackOff
        Ready:          False
        Restart Count:  0
    Conditions:
      Type             Status
      Initialized      True 
      Ready            False 
      ContainersReady  False 
      PodScheduled     True 
    QoS Class:         BestEffort
    Node-Selectors:    <none>
    Tolerations:       node.kubernetes.io/not-ready:NoExecute op=Exists for 300s
                       node.kubernetes.io/unreachable:NoExecute op=Exists for 300s
    Events:
      Type     Reason     Age                    From               Message
      ----     ------     ----                   ----               -------
      Normal   Scheduled  6m                     default-scheduler  Successfully assigned kubeflow/ml-pipeline-5c8d7b9f4-x2k7q to gke-kf-private-default-pool-3f9a6c2e-7h2k
      Normal   Pulling    3m (x4 over 6m)        kubelet            Pulling image "gcr.io/ml-pipeline/api-server:2.0.5"
      Warning  Failed     2m30s (x4 over 5m30s)  kubelet            Failed to pull image "gcr.io/ml-pipeline/api-server:2.0.5": failed to pull and unpack image "gcr.io/ml-pipeline/api-server:2.0.5": failed to resolve reference "gcr.io/ml-pipeline/api-server:2.0.5": failed to do request: Head "https://gcr.io/v2/ml-pipeline/api-server/manifests/2.0.5": dial tcp 74.125.195.82:443: i/o timeout
      Warning  Failed     2m30s (x4 over 5m30s)  kubelet            Error: ErrImagePull
      Normal   BackOff    55s (x7 over 5m29s)    kubelet            Back-off pulling image "gcr.io/ml-pipeline/api-server:2.0.5"
      Warning  Failed     55s (x7 over 5m29s)    kubelet            Error: ImagePullBackOff
    """

    static let apiservice = """
    Name:         v1beta1.external.metrics.k8s.io
    Namespace:    
    Labels:       app.kubernetes.io/name=keda-operator-metrics-apiserver
    Annotations:  <none>
    API Version:  apiregistration.k8s.io/v1
    Kind:         APIService
    Metadata:
      Creation Timestamp:  2026-11-20T14:03:11Z
      Resource Version:    48211
      UID:                 9d2c7a41-0b6e-4f3a-8e5d-2c1b7f9a6e30
    Spec:
      Group:                     external.metrics.k8s.io
      Group Priority Minimum:    100
      Insecure Skip TLS Verify:  true
      Service:
        Name:            keda-operator-metrics-apiserver
        Namespace:       keda
        Port:            443
      Version:           v1beta1
      Version Priority:  100
    Status:
      Conditions:
        Last Transition Time:  2026-11-22T09:12:40Z
        Message:               failing or missing response from https://10.20.2.31:6443/apis/external.metrics.k8s.io/v1beta1: Get "https://10.20.2.31:6443/apis/external.metrics.k8s.io/v1beta1": dial tcp 10.20.2.31:6443: i/o timeout
        Reason:                FailedDiscoveryCheck
        Status:                False
        Type:                  Available
    Events:                    <none>
    """

    static let ingress = """
    Name:             envoy-ingress
    Labels:           <none>
    Namespace:        istio-system
    Address:          34.117.52.201
    Ingress Class:    <none>
    Default backend:  <default>
    Rules:
      Host        Path  Backends
      ----        ----  --------
      *           
                  /*  istio-ingressgateway:80 (10.20.1.9:8080)
    Annotations:  ingress.kubernetes.io/backends: {"k8s1-6f1f6e83-istio-system-istio-ingressgateway-80-8a2f1b4c":"UNHEALTHY","k8s1-6f1f6e83-kube-system-default-http-backend-80-3c9e2d11":"HEALTHY"}
                  ingress.kubernetes.io/forwarding-rule: k8s2-fr-5x2k9q1n-istio-system-envoy-ingress-8u1r2m3d
                  ingress.kubernetes.io/target-proxy: k8s2-tp-5x2k9q1n-istio-system-envoy-ingress-8u1r2m3d
                  ingress.kubernetes.io/url-map: k8s2-um-5x2k9q1n-istio-system-envoy-ingress-8u1r2m3d
    Events:
      Type    Reason  Age                From                     Message
      ----    ------  ----               ----                     -------
      Normal  Sync    12m (x21 over 3h)  loadbalancer-controller  Scheduled for sync
    """

    static let getEvents = """
    LAST SEEN   TYPE      REASON         OBJECT                                 MESSAGE
    4m12s       Warning   FailedCreate   replicaset/ml-pipeline-ui-7d8f9c6b5d   Error creating: Internal error occurred: failed calling webhook "validation.gatekeeper.sh": failed to call webhook: Post "https://gatekeeper-webhook-service.gatekeeper-system.svc:443/v1/admit?timeout=3s": context deadline exceeded
    6m          Normal    Scheduled      pod/ml-pipeline-5c8d7b9f4-x2k7q        Successfully assigned kubeflow/ml-pipeline-5c8d7b9f4-x2k7q to gke-kf-private-default-pool-3f9a6c2e-7h2k
    2m30s       Warning   Failed         pod/ml-pipeline-5c8d7b9f4-x2k7q        Failed to pull image "gcr.io/ml-pipeline/api-server:2.0.5": failed to pull and unpack image "gcr.io/ml-pipeline/api-server:2.0.5": failed to resolve reference "gcr.io/ml-pipeline/api-server:2.0.5": failed to do request: Head "https://gcr.io/v2/ml-pipeline/api-server/manifests/2.0.5": dial tcp 74.125.195.82:443: i/o timeout
    """

    static let getEventsAll = """
    NAMESPACE     LAST SEEN   TYPE      REASON             OBJECT                                 MESSAGE
    kubeflow      4m12s       Warning   FailedCreate       replicaset/ml-pipeline-ui-7d8f9c6b5d   Error creating: Internal error occurred: failed calling webhook "validation.gatekeeper.sh": failed to call webhook: Post "https://gatekeeper-webhook-service.gatekeeper-system.svc:443/v1/admit?timeout=3s": dial tcp 10.20.1.14:8443: i/o timeout
    kube-system   8m          Normal    SuccessfulCreate   daemonset/fluentbit-gke                Created pod: fluentbit-gke-x7r2p
    kubeflow      2m30s       Warning   Failed             pod/ml-pipeline-5c8d7b9f4-x2k7q        Failed to pull image "docker.io/library/mysql:8.0.26": rpc error: code = Unknown desc = failed to pull and unpack image "docker.io/library/mysql:8.0.26": failed to resolve reference "docker.io/library/mysql:8.0.26": failed to do request: Head "https://registry-1.docker.io/v2/library/mysql/manifests/8.0.26": dial tcp 54.236.113.205:443: i/o timeout
    """

    static let getEventsWide = """
    LAST SEEN   TYPE      REASON         OBJECT                                 SUBOBJECT                                 SOURCE                                                     MESSAGE                                                                                                                                                                                                                                                                                                                                FIRST SEEN   COUNT   NAME
    2m30s       Warning   Failed         pod/ml-pipeline-5c8d7b9f4-x2k7q        spec.containers{ml-pipeline-api-server}   kubelet, gke-kf-private-default-pool-3f9a6c2e-7h2k         Failed to pull image "gcr.io/ml-pipeline/api-server:2.0.5": failed to pull and unpack image "gcr.io/ml-pipeline/api-server:2.0.5": failed to resolve reference "gcr.io/ml-pipeline/api-server:2.0.5": failed to do request: Head "https://gcr.io/v2/ml-pipeline/api-server/manifests/2.0.5": dial tcp 74.125.195.82:443: i/o timeout   5m30s        4       ml-pipeline-5c8d7b9f4-x2k7q.187a2f5c3b9d1e04
    6m          Normal    Scheduled      pod/ml-pipeline-5c8d7b9f4-x2k7q                                                  default-scheduler, default-scheduler-gke-kf-private-7f2b   Successfully assigned kubeflow/ml-pipeline-5c8d7b9f4-x2k7q to gke-kf-private-default-pool-3f9a6c2e-7h2k                                                                                                                                                                                                                                6m           1       ml-pipeline-5c8d7b9f4-x2k7q.187a2f5a11c0e7b2
    14m         Warning   FailedCreate   replicaset/ml-pipeline-ui-7d8f9c6b5d                                             replicaset-controller                                      Error creating: Internal error occurred: failed calling webhook "validation.gatekeeper.sh": failed to call webhook: Post "https://gatekeeper-webhook-service.gatekeeper-system.svc:443/v1/admit?timeout=3s": context deadline exceeded                                                                                                 28m          17      ml-pipeline-ui-7d8f9c6b5d.187a2e91d4c3b8a0
    """

}
